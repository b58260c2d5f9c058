"""One parsed article page, read field by field: ``Page``.

The whole page is parsed once by lexbor (selectolax), an HTML5 parser that
reads RFI's 544 KB pages in half the time of one ``lxml.html.fromstring``;
no byte slicing, so no cut point can drop a block. What several fields need
is computed once and kept: the article container, the metas, the JSON-LD.
Selectors are CSS; a class selector (``.m-from-author__name``) matches a
class token, so a modifier class added beside it (``t-content__tags--new``)
changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import cached_property
from typing import Any

from parsel import Selector
from selectolax.lexbor import LexborHTMLParser, LexborNode

from rfi_cn.extract.jsonld import news_article, objects_of

# The article container: RFI's data attribute, else the <article> element.
ARTICLE_CONTAINERS = ("[data-article-content]", "article")
BODY_CLASS = "t-content__body"
# Site furniture around the content: its hot tags, kickers and share links are not the article's.
CHROME = ("header", "footer", "aside")
METADATA = 'meta[content], link[href], script[type="application/ld+json"]'
_XML_SPACE = re.compile(r"[ \t\r\n]+")
_SPACES = re.compile(r"[\s\u00a0\u3000]+")


def squeeze(text: str | None) -> str:
    """White space (also no-break and ideographic spaces) squeezed to one space, stripped."""
    return _SPACES.sub(" ", text).strip() if text else ""


def normalize_space(text: str | None) -> str:
    """XPath's ``normalize-space``: only space, tab, CR and LF squeezed."""
    return _XML_SPACE.sub(" ", text).strip(" ") if text else ""


# An HTML5 tree builder checks the stack of open elements at most start tags: its cost grows
# with the number of tags times their depth (20,000 nested <div> take ~1 s, 40,000 ~7 s).
# Pages with few tags cannot be expensive; others are measured first and refused past a budget.
CHEAP_TAG_COUNT = 8_000  # "<" characters: a real article page has ~2,000, the front page ~2,900
MAX_NESTING_WORK = 20_000_000  # sum over start tags of the open elements' depth (~0.2 s of parsing)
_NOT_NESTING = frozenset(  # void elements, and those the parser closes at their next sibling
    [
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
        "p",
        "li",
        "dt",
        "dd",
        "option",
        "tr",
        "td",
        "th",
    ]
)
_TAG = re.compile(rb"<(/?)([a-zA-Z][a-zA-Z0-9-]*)[^>]*?(/?)>")


ANCESTOR_WALK = 64  # ancestors read per node before lexbor is asked instead (real pages: ~12)
_TAG_NAME = re.compile(r"[a-z][a-z0-9]*")


def _held_by(nodes: Sequence[LexborNode], tags: frozenset[str]) -> list[bool] | None:
    """For each node, whether an ancestor is one of ``tags`` (lexbor writes HTML tag names in
    lower case, as the type selectors match them); ``None`` when one lies deeper than ``ANCESTOR_WALK``."""
    held = []
    for node in nodes:
        parent, steps, inside = node.parent, 0, False
        while parent is not None:
            if parent.tag in tags:
                inside = True
                break
            steps += 1
            if steps > ANCESTOR_WALK:
                return None
            parent = parent.parent
        held.append(inside)
    return held


class PageTooDeepError(ValueError):
    """A page nested so deep that parsing it would take a disproportionate time."""


def nesting_work(html: bytes) -> int:
    """An upper estimate of the tree builder's stack walking for ``html``: the sum of the depth
    at each start tag (void and self-closing elements, and those closed by a sibling, not counted)."""
    depth = work = 0
    for closing, name, self_closing in _TAG.findall(html):
        if name.lower().decode() in _NOT_NESTING or self_closing:
            continue
        if closing:
            depth = max(depth - 1, 0)
        else:
            work += depth
            depth += 1
    return work


class Page:
    """A parsed page and what its fields share."""

    def __init__(self, html: str | bytes) -> None:
        data = html.encode("utf-8", "surrogatepass") if isinstance(html, str) else html
        if data.count(b"<") > CHEAP_TAG_COUNT and (work := nesting_work(data)) > MAX_NESTING_WORK:
            raise PageTooDeepError(f"nesting work {work} > {MAX_NESTING_WORK}")
        self.tree = LexborHTMLParser(data)

    @classmethod
    def of(cls, source: Page | Selector | str | bytes) -> Page:
        """A ``Page`` from a page, its text or bytes, or a parsel ``Selector`` (re-serialised)."""
        if isinstance(source, Page):
            return source
        if isinstance(source, Selector):
            return cls(source.get() if source.root is not None else "")
        return cls(source)

    def css(self, query: str, scope: LexborNode | None = None) -> list[LexborNode]:
        """Matches of ``query`` in ``scope`` (default: the page), in document order."""
        if scope is not None:
            return list(scope.css(query))
        return list(self.tree.css(query)) if self.tree.root is not None else []

    def first(self, query: str, scope: LexborNode | None = None) -> LexborNode | None:
        if scope is not None:
            return scope.css_first(query)
        return self.tree.css_first(query) if self.tree.root is not None else None

    def memo(self, key: str, compute: Callable[[Page], Any]) -> Any:
        """``compute(self)``, computed once per page for ``key`` (what several fields read)."""
        if key not in self._memo:
            self._memo[key] = compute(self)
        return self._memo[key]

    @cached_property
    def _memo(self) -> dict[str, Any]:
        return {}

    @cached_property
    def article(self) -> LexborNode | None:
        """The article container, whatever wraps it."""
        for query in ARTICLE_CONTAINERS:
            node = self.first(query)
            if node is not None:
                return node
        return None

    def in_article(self, query: str) -> list[LexborNode]:
        """Matches of ``query`` inside the article container; without one, outside the site's chrome."""
        return self.css(query, self.article) if self.article is not None else self.content(query)

    def content(self, query: str) -> list[LexborNode]:
        """Matches of ``query`` outside the site's header, footer and asides."""
        return self.outside(query, CHROME)

    def outside(self, query: str, containers: Sequence[str], scope: LexborNode | None = None) -> list[LexborNode]:
        """Matches of ``query`` (a selector list) in ``scope`` that no element matching one of
        ``containers`` holds."""
        return self.excluding(self.css(query, scope), containers, query, scope)

    def excluding(
        self, nodes: list[LexborNode], containers: Sequence[str], query: str, scope: LexborNode | None = None
    ) -> list[LexborNode]:
        """``nodes`` (matches of ``query`` in ``scope``) less those an element matching one of
        ``containers`` holds. Containers named by their tag, on the whole page: each node's
        ancestors are read, up to ``ANCESTOR_WALK`` of them (a few microseconds; a selector costs
        a walk of the page). Otherwise, or for a node deeper than that, lexbor matches the
        descendant selectors, so a page nested thousands deep costs no Python walk up each match."""
        if not nodes:
            return nodes
        if scope is None and all(map(_TAG_NAME.fullmatch, containers)):
            held = _held_by(nodes, frozenset(containers))
            if held is not None:
                return [node for node, inside in zip(nodes, held, strict=True) if not inside]
        parts = [part.strip() for part in query.split(",")]
        inside = self.css(", ".join(f"{container} {part}" for container in containers for part in parts), scope)
        if not inside:
            return nodes
        excluded = {node.mem_id for node in inside}
        return [node for node in nodes if node.mem_id not in excluded]

    @cached_property
    def _metadata_nodes(self) -> dict[str, list[LexborNode]]:
        """``meta[content]``, ``link[href]`` and JSON-LD ``script`` elements, each in page order,
        from one query (a node's tag tells which selector it matched): one walk of the page, not three."""
        found: dict[str, list[LexborNode]] = {"meta": [], "link": [], "script": []}
        for node in self.css(METADATA):
            found[node.tag or ""].append(node)
        return found

    @cached_property
    def metas(self) -> dict[str, list[str]]:
        """Every ``<meta>``'s content by its ``property`` or ``name``, in page order."""
        found: dict[str, list[str]] = {}
        for node in self._metadata_nodes["meta"]:
            attributes = node.attributes
            key = attributes.get("property") or attributes.get("name")
            if key:
                found.setdefault(key, []).append(attributes.get("content") or "")
        return found

    @cached_property
    def head_links(self) -> list[dict[str, str | None]]:
        """Every ``<link href>``'s attributes, in page order."""
        return [node.attributes for node in self._metadata_nodes["link"]]

    def link(self, rel: str, hreflang: str | None = None) -> str | None:
        """``href`` of the first ``<link rel=…>`` (with that ``hreflang``)."""
        for attributes in self.head_links:
            if (attributes.get("rel") or "").lower() == rel and (
                hreflang is None or attributes.get("hreflang") == hreflang
            ):
                return attributes.get("href")
        return None

    def meta(self, key: str) -> str | None:
        values = self.metas.get(key)
        return values[0] if values else None

    def attribute(self, query: str, name: str, scope: LexborNode | None = None) -> str | None:
        """``name`` of the first match of ``query`` that has it."""
        for node in self.css(query, scope):
            value = node.attributes.get(name)
            if value is not None:
                return value
        return None

    @cached_property
    def jsonld(self) -> list[dict[str, Any]]:
        """Every JSON object of the page's JSON-LD blocks, parsed once, in page order."""
        return list(objects_of(node.text() for node in self._metadata_nodes["script"]))

    @cached_property
    def news_article(self) -> dict[str, Any]:
        """The JSON-LD ``NewsArticle`` (or ``Article``), ``{}`` when there is none."""
        return news_article(self.jsonld)

    @cached_property
    def lang(self) -> str | None:
        root = self.tree.root
        return root.attributes.get("lang") if root is not None else None


def text_of(node: LexborNode | None) -> str:
    """The squeezed text of ``node``; ``""`` for none."""
    return squeeze(node.text(deep=True)) if node is not None else ""
