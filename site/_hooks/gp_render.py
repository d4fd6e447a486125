"""MkDocs' own work on a page, kept across builds: its Markdown converted, its search entries, its HTML.

Most of a warm build is MkDocs, not the hooks: converting ~100 pages of Markdown, indexing each for
search, and rendering Material's templates, which write the whole navigation into every page. A
build after one derivation changed changes a page or two. Each of the three steps is therefore
kept under a key that hashes everything its result is made from, and a page whose key is stored
is not converted, indexed or rendered again:

* **Markdown → HTML** (``Page.render``): the page's Markdown as the hooks left it, its place in the
  site, every file of the site with its URL (links are resolved, and checked, against them), and
  the *site key* below. A conversion that logged anything is not kept, so its warning comes back
  at every build; links to anchors of other pages are kept and checked again by MkDocs.
* **search entries** (Material's ``SearchIndex.add_entry_from_context``): the page's HTML, table
  of contents, title, URL and metadata, and the search plugin's settings.
* **the page's HTML** (Material's ``main.html``): the page (HTML, table of contents, metadata,
  title, URLs, previous and next page, sections above it), the whole navigation (every page's
  title, URL and metadata: Material writes it into every page), and the theme's files.

The *site key* covers ``mkdocs.yml`` (its bytes: extensions and their settings, theme, plugins,
the navigation written there), the configuration as the hooks left it, the versions of MkDocs, Material,
Markdown, PyMdown Extensions, Pygments and Jinja2, and this module's source. A stored result is
one file per page and step, ``<page>-<key>``; storing a new one deletes the page's older ones.
Every stored file carries the hash of its text and is read back only if the hash holds.

This module is a MkDocs hook of its own, listed after ``gradproof_site.py`` in ``mkdocs.yml``: its
``on_page_markdown`` must see a page's Markdown after every other hook has changed it.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import gp_jobs
import jinja2
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import AnchorLink, TableOfContents

from checker.files import write_atomic

CACHE_FORMAT = "gradproof-render-1"
# what the pages are made with, besides mkdocs.yml and the hooks
DISTRIBUTIONS = ("mkdocs", "mkdocs-material", "markdown", "pymdown-extensions", "pygments", "jinja2")
# configuration that is not what a page's Markdown is made with: where the site is written; the
# navigation the hooks set (a title edited there changes no page's Markdown: the HTML's key takes
# the navigation as MkDocs built it); the plugins and hooks, which are named by their keys
_NOT_CONTENT = ("site_dir", "nav", "plugins", "hooks")

_state: dict[str, Any] = {"site": None, "files": None, "nav": None, "hits": {}, "keys": {}}


# ----------------------------------------------------------------------------------- keys

def on_config(config: Any) -> Any:
    """Forget the previous build (``mkdocs serve`` builds many times in one process)."""
    _state.update(site=None, files=None, nav=None, hits={}, keys={})
    return config


def on_nav(nav: Any, config: Any, files: Any) -> Any:
    """Keep the navigation: every page's HTML is keyed by it (Material renders it into each page)."""
    _state["nav"] = nav
    return nav


def on_page_markdown(markdown: str, page: Page, config: Any, files: Any) -> str:
    """A page whose Markdown an earlier build converted is read back instead of converted."""
    cache_markdown(page, config, files)
    return markdown


def on_env(env: jinja2.Environment, config: Any, files: Any) -> jinja2.Environment:
    """Compiled templates, search entries and pages' HTML kept across builds."""
    env.bytecode_cache = bytecode_cache(env)
    cache_search(config)
    cache_html(env, config, files)
    return env


def on_post_page(output: str, page: Page, config: Any) -> str:
    """Keep the page's HTML for the next build."""
    keep_html(output, page)
    return output


def _digest(*parts: Any) -> str:
    h = hashlib.sha256(CACHE_FORMAT.encode())
    for part in parts:
        text = part if isinstance(part, str) else json.dumps(part, sort_keys=True, default=_plain)
        h.update(hashlib.sha256(text.encode()).digest())
    return h.hexdigest()[:24]


def _plain(value: Any) -> Any:
    """A JSON stand-in for a configuration value: a function by its name, a mapping by its items."""
    if callable(value) and hasattr(value, "__qualname__"):
        return f"{getattr(value, '__module__', '')}.{value.__qualname__}"
    if hasattr(value, "items"):
        return dict(value.items())
    if isinstance(value, (set, frozenset)):
        return sorted(map(str, value))
    if isinstance(value, (list, tuple)):
        return list(value)
    return str(value)


def site_key(config: Any) -> str:
    """What every page's results are made with: ``mkdocs.yml``, the configuration, the libraries."""
    if _state["site"] is None:
        versions = {name: importlib.metadata.version(name) for name in DISTRIBUTIONS}
        settings = {k: v for k, v in config.items() if k not in _NOT_CONTENT}
        _state["site"] = _digest(Path(config.config_file_path).read_text(encoding="utf-8"),
                                 Path(__file__).read_text(encoding="utf-8"), versions, settings,
                                 sorted(config.plugins))
    return _state["site"]


def files_key(files: Any) -> str:
    """Every file of the site and where it lands: the targets a page's links resolve against."""
    if _state["files"] is None:
        _state["files"] = _digest(sorted((f.src_uri, f.dest_uri, f.url, f.inclusion.name) for f in files))
    return _state["files"]


def _toc(items: Any) -> list:
    return [[i.title, i.id, i.level, _toc(i.children)] for i in items]


def _untoc(items: list) -> list[AnchorLink]:
    out = []
    for title, anchor, level, children in items:
        link = AnchorLink(title, anchor, level)
        link.children = _untoc(children)
        out.append(link)
    return out


# ----------------------------------------------------------------------------------- storage

def _path(step: str, page: Any, key: str) -> Path:
    name = hashlib.sha256(page.file.src_uri.encode()).hexdigest()[:16]
    return gp_jobs.cache_root() / "site" / "render" / step / f"{name}-{key}"


def load(step: str, page: Any, key: str) -> str | None:
    """The text stored for ``page`` at this ``step`` under ``key``, or None (absent or damaged)."""
    try:
        stamp, text = _path(step, page, key).read_text(encoding="utf-8").split("\n", 1)
    except (OSError, ValueError):
        return None
    return text if stamp == hashlib.sha256(text.encode()).hexdigest() else None


def store(step: str, page: Any, key: str, text: str) -> None:
    """Keep ``text`` for ``page`` under ``key``; the page's older results of this step are deleted."""
    path = _path(step, page, key)
    try:
        write_atomic(path, hashlib.sha256(text.encode()).hexdigest() + "\n" + text, durable=False)
        prefix = path.name.split("-")[0] + "-"
        for old in path.parent.glob(prefix + "*"):
            if old != path:
                old.unlink(missing_ok=True)
    except OSError:  # a read-only cache costs the next build the work, nothing else
        pass


# the settings of an environment that change how a template compiles
_COMPILING = ("block_start_string", "block_end_string", "variable_start_string", "variable_end_string",
              "comment_start_string", "comment_end_string", "line_statement_prefix", "line_comment_prefix",
              "trim_blocks", "lstrip_blocks", "newline_sequence", "keep_trailing_newline", "optimized",
              "autoescape", "is_async")


def bytecode_cache(env: jinja2.Environment) -> jinja2.BytecodeCache:
    """Where Jinja2 keeps ``env``'s compiled templates.

    Jinja2 checks each against its template's source and the Python version; the directory is
    named by the environment's settings, its extensions and Jinja2's version, which it does not check.
    """
    settings = {name: getattr(env, name, None) for name in _COMPILING}
    key = _digest(importlib.metadata.version("jinja2"), settings, sorted(env.extensions))
    directory = gp_jobs.cache_root() / "site" / "jinja" / key
    directory.mkdir(parents=True, exist_ok=True)
    return jinja2.FileSystemBytecodeCache(str(directory))


# ----------------------------------------------------------------------------------- Markdown

def cache_markdown(page: Page, config: Any, files: Any) -> None:
    """Make ``page.render`` read the HTML of this very Markdown back when an earlier build kept it."""
    key = _digest(site_key(config), files_key(files), page.file.src_uri, page.file.dest_uri, page.file.url,
                  page.markdown or "")

    def render(config: Any, files: Any) -> None:
        stored = load("markdown", page, key)
        if stored is not None:
            _restore(page, json.loads(stored), files)
            return
        with _heard() as records:
            Page.render(page, config, files)
        if not records:
            store("markdown", page, key, json.dumps(_snapshot(page)))

    page.render = render  # this page's render, in place of the class's


def _snapshot(page: Page) -> dict:
    links = page.links_to_anchors
    return {"content": page.content, "toc": _toc(page.toc), "title": page._title_from_render,
            "anchors": sorted(page.present_anchor_ids or ()),
            "links": None if links is None else {f.src_uri: v for f, v in links.items()}}


def _restore(page: Page, data: dict, files: Any) -> None:
    page.content = data["content"]
    page.toc = TableOfContents(_untoc(data["toc"]))
    page._title_from_render = data["title"]
    page.present_anchor_ids = set(data["anchors"])
    if data["links"] is not None:
        page.links_to_anchors = {files.get_file_from_path(src): v for src, v in data["links"].items()}


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def _heard() -> Iterator[list[logging.LogRecord]]:
    """What MkDocs and the Markdown extensions log meanwhile (a conversion that logs is not kept)."""
    handler = _Records()
    loggers = [logging.getLogger(), logging.getLogger("mkdocs")]
    for logger in loggers:
        logger.addHandler(handler)
    try:
        yield handler.records
    finally:
        for logger in loggers:
            logger.removeHandler(handler)


# ----------------------------------------------------------------------------------- search

def cache_search(config: Any) -> None:
    """Make the search plugin read a page's entries back when its HTML and place did not change."""
    for plugin in config.plugins.values():
        index = getattr(plugin, "search_index", None)
        if index is None or not hasattr(index, "add_entry_from_context"):
            continue
        settings = _digest(site_key(config), {k: plugin.config[k] for k in plugin.config})
        index.add_entry_from_context = _indexer(index, index.add_entry_from_context, settings)


def _indexer(index: Any, original: Any, settings: str) -> Any:
    def add_entry_from_context(page: Page) -> None:
        key = _digest(settings, page.url, page.title, page.meta, _toc(page.toc), page.content or "")
        stored = load("search", page, key)
        if stored is not None:
            index.entries.extend(json.loads(stored))
            return
        before = len(index.entries)
        original(page)
        store("search", page, key, json.dumps(index.entries[before:]))

    return add_entry_from_context


# ----------------------------------------------------------------------------------- HTML

class _Stored:
    """A rendered page read back: what ``env.get_template`` gives for a page whose HTML is kept."""

    def __init__(self, html: str) -> None:
        self.html = html

    def render(self, context: Any = None) -> str:
        return self.html


def cache_html(env: jinja2.Environment, config: Any, files: Any) -> None:
    """Key every page's HTML, and have the theme give the stored HTML of those already rendered."""
    nav = _state["nav"]
    if nav is None:
        return
    theme = _digest(site_key(config), [_theme_files(d) for d in config.theme.dirs])
    whole = _digest(theme, _nav(nav.items), [(p.file.src_uri, p.url, p.title) for p in nav.pages])
    for file in files.documentation_pages():
        page = file.page
        if page is None or page.content is None:
            continue
        key = _digest(whole, _page_view(page))
        _state["keys"][page.file.src_uri] = key
        html = load("html", page, key)
        if html is not None:
            _state["hits"][page.file.src_uri] = html
    original = env.get_template

    def get_template(name: Any, parent: Any = None, globals: Any = None) -> Any:
        page = config._current_page
        if page is not None and parent is None and name == page.meta.get("template", "main.html"):
            html = _state["hits"].get(page.file.src_uri)
            if html is not None:
                return _Stored(html)
        return original(name, parent, globals)

    env.get_template = get_template


def keep_html(html: str, page: Page) -> None:
    """Store a page's HTML just rendered (a page read back is not stored again)."""
    src = page.file.src_uri
    if src in _state["keys"] and src not in _state["hits"]:
        store("html", page, _state["keys"][src], html)


def _theme_files(directory: str) -> list:
    """The theme's templates, by size and time (its icons and assets change only with its version)."""
    root = Path(directory)
    return sorted((str(p.relative_to(root)), p.stat().st_size, p.stat().st_mtime_ns)
                  for p in root.rglob("*.html") if p.is_file())


def _nav(items: Any) -> list:
    """The navigation as Material renders it: kinds, titles, URLs, page metadata, nesting."""
    out = []
    for item in items:
        out.append([type(item).__name__, item.title, getattr(item, "url", None),
                    getattr(item, "meta", None), _nav(getattr(item, "children", None) or [])])
    return out


def _page_view(page: Page) -> list:
    """The parts of a page the theme shows, besides the navigation."""
    def link(p: Any) -> Any:
        return None if p is None else [p.title, p.url]

    ancestors = [a.title for a in page.ancestors]
    return [page.file.src_uri, page.url, page.canonical_url, page.edit_url, page.abs_url, page.is_homepage,
            page.title, page.meta, _toc(page.toc), link(page.previous_page), link(page.next_page),
            ancestors, page.content]
