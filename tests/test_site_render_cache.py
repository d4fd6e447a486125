"""MkDocs' work kept across builds (``site/_hooks/gp_render.py``) never shows a stale page.

A small Material site with the search plugin and the hook is built in this process, changed one
input at a time (a page's Markdown, a generated page's data, the navigation in ``mkdocs.yml``, a
template), and built again: every page must then be byte for byte what a build without any stored
result gives, and each change must reach every page it touches.
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
HOOK = REPO / "site" / "_hooks" / "gp_render.py"
sys.path.insert(0, str(HOOK.parent))

# a hook of the small site: a page generated from a data file, as the handbook's pages are, and,
# when nav-title.txt exists, the navigation set by the hook with that title for the generated page
GENERATOR = '''
from pathlib import Path
from mkdocs.structure.files import File

def on_files(files, config):
    root = Path(config.config_file_path).parent
    data = root / "data.txt"
    files.append(File.generated(config, "generated.md", content="# Generated\\n\\n" + data.read_text()))
    if (root / "nav-title.txt").exists():
        title = (root / "nav-title.txt").read_text().strip()
        config.nav = [{"Home": "index.md"}, {"Other page": "other.md"}, {title: "generated.md"}]
    return files
'''

CONFIG = """site_name: cache test
docs_dir: docs
theme:
  name: material
  custom_dir: overrides
plugins:
  - search
markdown_extensions:
  - toc:
      permalink: true
  - pymdownx.arithmatex:
      generic: true
hooks:
  - generator.py
  - {hook}
nav:
  - Home: index.md
  - {title}: other.md
  - Generated: generated.md
"""

MAIN = '{% extends "base.html" %}\n{% block footer %}<p class="marker">{{ "MARKER" }}</p>{% endblock %}\n'


def _write_site(root: Path, title: str = "Other page", marker: str = "marker-one") -> None:
    (root / "docs").mkdir(parents=True, exist_ok=True)
    (root / "overrides").mkdir(exist_ok=True)
    (root / "docs" / "index.md").write_text("# Home\n\nSee [the other page](other.md#second).\n")
    (root / "docs" / "other.md").write_text("# Other\n\nText with $a^2$.\n\n## Second\n\nMore text.\n")
    (root / "data.txt").write_text("The meaning, first version.\n")
    (root / "generator.py").write_text(GENERATOR)
    set_nav_title(root, title)
    (root / "overrides" / "main.html").write_text(MAIN.replace("MARKER", marker))


def set_nav_title(root: Path, title: str) -> None:
    (root / "mkdocs.yml").write_text(CONFIG.format(hook=HOOK, title=title))


def build(root: Path, cache: Path, out: str = "out", strict: bool = True) -> dict[str, str]:
    """Build ``root`` with ``cache`` as GRADPROOF_CACHE; every text file of the site, by path."""
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config

    old = os.environ.get("GRADPROOF_CACHE")
    os.environ["GRADPROOF_CACHE"] = str(cache)
    try:
        config = load_config(config_file=str(root / "mkdocs.yml"), site_dir=str(root / out), strict=strict)
        mkdocs_build(config)
    finally:
        if old is None:
            os.environ.pop("GRADPROOF_CACHE")
        else:
            os.environ["GRADPROOF_CACHE"] = old
    site = root / out
    return {str(p.relative_to(site)): p.read_text(encoding="utf-8") for p in site.rglob("*")
            if p.is_file() and p.suffix in (".html", ".json")}


def pages(site: dict[str, str]) -> dict[str, str]:
    """The site's pages (404.html is a theme template, not a page)."""
    return {k: v for k, v in site.items() if k.endswith("index.html")}


@pytest.fixture
def site(tmp_path: Path) -> Path:
    _write_site(tmp_path / "site")
    return tmp_path / "site"


def fresh(site: Path, tmp_path: Path) -> dict[str, str]:
    """The site built with nothing stored: what every build must give."""
    cache = tmp_path / "fresh-cache"
    shutil.rmtree(cache, ignore_errors=True)
    return build(site, cache, out="fresh")


def stored(cache: Path, step: str) -> list[Path]:
    return sorted((cache / "site" / "render" / step).glob("*"))


def test_a_warm_build_reads_every_page_back_and_gives_the_same_site(site: Path, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "cache"
    first = build(site, cache)
    assert len(stored(cache, "markdown")) == len(stored(cache, "html")) == len(pages(first)) == 3
    assert stored(cache, "search")

    import markdown

    converted: list[str] = []
    real = markdown.Markdown.convert
    monkeypatch.setattr(markdown.Markdown, "convert",
                        lambda md, text: (converted.append(text), real(md, text))[1])
    second = build(site, cache)
    assert converted == []  # nothing converted again
    assert second == first == fresh(site, tmp_path)


def test_an_edited_page_and_an_edited_generated_page_are_built_again(site: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    build(site, cache)
    (site / "docs" / "other.md").write_text("# Other\n\nEdited text with $b^2$.\n\n## Second\n\nMore.\n")
    (site / "data.txt").write_text("The meaning, second version.\n")
    after = build(site, cache)
    assert "Edited text" in after["other/index.html"]
    generated = after["generated/index.html"]
    assert "second version" in generated and "first version" not in generated
    assert "Edited text" in after["search/search_index.json"]
    assert after == fresh(site, tmp_path)
    # each page keeps one stored result per step: the edited pages' old ones are gone
    assert len(stored(cache, "markdown")) == len(stored(cache, "html")) == 3


def test_a_navigation_title_changed_in_mkdocs_yml_reaches_every_page(site: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    before = build(site, cache)
    assert all("Other page" in html for html in pages(before).values())
    set_nav_title(site, "Renamed page")
    after = build(site, cache)
    for path, html in pages(after).items():
        assert "Renamed page" in html and "Other page" not in html, path
    assert after == fresh(site, tmp_path)


def test_a_navigation_title_set_by_a_hook_reaches_every_page_and_converts_nothing_again(
        site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "cache"
    (site / "nav-title.txt").write_text("Made by the hook")
    before = build(site, cache)
    assert all("Made by the hook" in html for html in pages(before).values())
    (site / "nav-title.txt").write_text("Renamed by the hook")

    import markdown

    converted: list[str] = []
    real = markdown.Markdown.convert
    monkeypatch.setattr(markdown.Markdown, "convert",
                        lambda md, text: (converted.append(text), real(md, text))[1])
    after = build(site, cache)
    assert converted == []  # no page's Markdown changed: only the HTML around it
    for path, html in pages(after).items():
        assert "Renamed by the hook" in html and "Made by the hook" not in html, path
    monkeypatch.setattr(markdown.Markdown, "convert", real)
    assert after == fresh(site, tmp_path)


def test_a_template_change_reaches_every_page(site: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    build(site, cache)
    (site / "overrides" / "main.html").write_text(MAIN.replace("MARKER", "marker-two"))
    after = build(site, cache)
    for path, html in pages(after).items():
        assert "marker-two" in html and "marker-one" not in html, path
    assert after == fresh(site, tmp_path)


def test_a_broken_link_is_reported_at_every_build(site: Path, tmp_path: Path,
                                                  caplog: pytest.LogCaptureFixture) -> None:
    cache = tmp_path / "cache"
    (site / "docs" / "index.md").write_text("# Home\n\nSee [nowhere](missing.md).\n")
    for _ in range(2):
        caplog.clear()
        with caplog.at_level(logging.INFO, logger="mkdocs"):
            build(site, cache, strict=False)
        assert any("missing.md" in r.getMessage() for r in caplog.records)


def test_a_damaged_stored_page_is_not_read_back(site: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    build(site, cache)
    for path in [*stored(cache, "html"), *stored(cache, "markdown"), *stored(cache, "search")]:
        text = path.read_text()
        path.write_text(text.replace("Other", "Stale"))
    assert build(site, cache) == fresh(site, tmp_path)
