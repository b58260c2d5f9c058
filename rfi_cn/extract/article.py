"""An article page's fields: one rule per field, each an ordered fallback chain.

``FIELD_RULES`` is the whole extraction: for every field, the places it is read
from, most trusted first; the first that gives a value wins. Each place keys
on the stable leaf class (``m-from-author__name``, ``a-hot-tag``,
``m-pub-dates__date``...) inside the article container, not on the wrappers
around it, and the chain ends in the page's metadata (``og:*``, ``article:*``
metas, JSON-LD) where the page has one. ``docs/extraction.md`` lists them.

Dates stay raw candidates here, in order of preference; ``NormaliseDatesPipeline``
picks and converts them. The body stays raw HTML; ``CleanBodyPipeline`` cleans it.
The page is parsed once (``rfi_cn.extract.document.Page``), each field read once.

Identity is not taken from what a page claims about others: the URL is the
page's ``<link rel=canonical>`` only when that is an article URL of this edition
on the site's host (else the fetched URL, and ``Extraction.canonical_ignored``),
and the share code comes from the article's own share block and head, never
from its body, whose links may name other articles.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from parsel import Selector

from rfi_cn.extract import jsonld
from rfi_cn.extract.document import BODY_CLASS, CHROME, Page, normalize_space, squeeze, text_of
from rfi_cn.extract.media import media_entries
from rfi_cn.items import CANDIDATE_FIELDS, LIST_FIELDS, SCHEMA_VERSION, ArticleItem, empty_value
from rfi_cn.normalise.encoding import page_text
from rfi_cn.site import is_article_url, link_url

# https://rfi.my/CEAH.F, also percent-encoded inside share-dialog URLs.
_SHARE_CODE = re.compile(r"rfi\.my(?:/|%2F)([A-Za-z0-9]+)\.[A-Z]{1,2}\b")

Rule = Callable[[Page], Any]
BODY = f".{BODY_CLASS}"
_REPLACEMENT = "\ufffd"  # what a decoder writes for bytes it cannot read
_REPLACEMENT_BYTES = _REPLACEMENT.encode()


@dataclass(frozen=True)
class Source:
    """One place a field is read from: what it is (for the docs), and how."""

    where: str
    read: Rule


# --- the places, field by field -----------------------------------------------------------


def _first_text(query: str, article_only: bool = True) -> Rule:
    """The first non-empty text of ``query`` in the article (``article_only=False``: then anywhere else)."""

    def read(page: Page) -> str:
        found = next((text for text in map(text_of, page.in_article(query)) if text), "")
        if found or article_only or page.article is None:
            return found
        return next((text for text in map(text_of, page.content(query)) if text), "")

    return read


def _link(rel: str, hreflang: str) -> Rule:
    return lambda page: squeeze(page.link(rel, hreflang))


def _meta(key: str) -> Rule:
    return lambda page: squeeze(page.meta(key))


def _jsonld_string(key: str) -> Rule:
    return lambda page: squeeze(jsonld.string(page.news_article, key))


def _texts(query: str, article_only: bool = True) -> Rule:
    def read(page: Page) -> list[str]:
        nodes = page.in_article(query) if article_only else page.content(query)
        return [text for text in map(text_of, nodes) if text]

    return read


def _kicker_in_article(page: Page) -> str:
    if page.article is None:  # without a container, the page's cards would answer
        return ""
    nodes = page.outside(".a-tag__wrapper", [BODY], page.article)
    return next((text for text in map(text_of, nodes) if text), "")


def _breadcrumb_section(page: Page) -> str:
    """The last breadcrumb link after the first (home) one."""
    links = page.content(".m-breadcrumb__list__item__link")
    return next((text for text in map(text_of, reversed(links[1:])) if text), "") if len(links) > 1 else ""


def _metas(key: str) -> Rule:
    return lambda page: [text for text in map(squeeze, page.metas.get(key, [])) if text]


def _jsonld_authors(page: Page) -> list[str]:
    return [text for text in map(squeeze, jsonld.names(page.news_article.get("author"))) if text]


def _jsonld_keywords(page: Page) -> list[str]:
    """JSON-LD ``keywords`` less the section, which RFI lists first."""
    section = squeeze(jsonld.string(page.news_article, "articleSection"))
    words = map(squeeze, jsonld.keywords(page.news_article.get("keywords")))
    return [word for word in words if word and word != section]


def _main_figure(page: Page) -> Any:
    """The lead figure: in the main-media block, else the first figure of the article outside its body
    (found once per page: three fields read it)."""
    return page.memo("main_figure", _find_main_figure)


def _find_main_figure(page: Page) -> Any:
    main_media = page.first(".t-content__main-media", page.article)
    figure = page.first("figure", main_media) if main_media is not None else None
    if figure is None and page.article is not None:
        figure = next(iter(page.outside("figure", [BODY], page.article)), None)
    return figure


def _figure_image(page: Page) -> str:
    figure = _main_figure(page)
    return squeeze(page.attribute("img[src]", "src", figure)) if figure is not None else ""


def _figcaption_span(position: int) -> Rule:
    def read(page: Page) -> str:
        figure = _main_figure(page)
        caption = page.first("figcaption", figure) if figure is not None else None
        spans = [child for child in caption.iter() if child.tag == "span"] if caption is not None else []
        return text_of(spans[position - 1]) if len(spans) >= position else ""

    return read


def _jsonld_image(page: Page) -> str:
    return squeeze(jsonld.image_url(page.news_article.get("image")))


def _body(page: Page) -> str | None:
    node = next(iter(page.in_article(f"div.{BODY_CLASS}")), None) or page.first(f"div.{BODY_CLASS}")
    return node.html if node is not None else None


def _word_count(page: Page) -> int | None:
    """JSON-LD ``wordCount`` as an integer, when the page states one."""
    value = page.news_article.get("wordCount")
    if isinstance(value, bool):
        return None
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _visible_date(page: Page, position: int) -> Any:
    dates = page.memo("visible_dates", lambda page: page.in_article(".m-pub-dates__date"))
    return dates[position - 1] if len(dates) >= position else None


def _visible_datetime(position: int) -> Rule:
    def read(page: Page) -> str | None:
        visible = _visible_date(page, position)
        time = visible.css_first("time") if visible is not None else None
        return time.attributes.get("datetime") if time is not None else None

    return read


def _visible_date_text(position: int) -> Rule:
    def read(page: Page) -> str:
        visible = _visible_date(page, position)
        if visible is None:
            return ""
        time = visible.css_first("time")
        return (normalize_space(time.text()) if time is not None else "") or normalize_space(visible.text())

    return read


def _raw_meta(key: str) -> Rule:
    return lambda page: page.meta(key)


def _raw_jsonld(key: str) -> Rule:
    return lambda page: jsonld.string(page.news_article, key)


# Every field read from the page, its places in order: the first that gives a value wins
# (a candidate field keeps them all). ``id``, ``url``, ``media`` and the
# run's own fields (``crawled_at``, ``schema_version``) are set by ``extract_page``.
FIELD_RULES: dict[str, Sequence[Source]] = {
    "url_zh_hant": [Source("link[rel=alternate][hreflang=zh-Hant] @href", _link("alternate", "zh-Hant"))],
    "language": [Source("<html lang>", lambda page: squeeze(page.lang))],
    "title": [
        Source("h1.t-content__title (article, else page)", _first_text("h1.t-content__title", article_only=False)),
        Source("og:title", _meta("og:title")),
        Source("JSON-LD headline", _jsonld_string("headline")),
    ],
    "lead": [
        Source("p.t-content__chapo (article, else page)", _first_text("p.t-content__chapo", article_only=False)),
        Source("og:description", _meta("og:description")),
        Source("JSON-LD description", _jsonld_string("description")),
    ],
    "kicker": [
        Source(".t-content__section .a-tag__wrapper", _first_text(".t-content__section .a-tag__wrapper")),
        Source("the article container's first .a-tag__wrapper", _kicker_in_article),
    ],
    "section": [
        Source("last .m-breadcrumb__list__item__link after the home link", _breadcrumb_section),
        Source("article:section", _meta("article:section")),
        Source("JSON-LD articleSection", _jsonld_string("articleSection")),
    ],
    "authors": [
        Source("the article's .m-from-author__name", _texts(".m-from-author__name")),
        Source("JSON-LD author[].name", _jsonld_authors),
    ],
    "tags": [
        Source(".a-hot-tag outside header, footer, aside", _texts(".a-hot-tag", article_only=False)),
        Source("article:tag metas", _metas("article:tag")),
        Source("JSON-LD keywords less articleSection", _jsonld_keywords),
    ],
    "published_at": [  # candidates: all are kept, in this order (NormaliseDatesPipeline picks)
        Source("1st .m-pub-dates__date time@datetime", _visible_datetime(1)),
        Source("article:published_time", _raw_meta("article:published_time")),
        Source("JSON-LD datePublished", _raw_jsonld("datePublished")),
        Source("1st .m-pub-dates__date text (Paris time)", _visible_date_text(1)),
    ],
    "modified_at": [  # the second visible date is the update
        Source("2nd .m-pub-dates__date time@datetime", _visible_datetime(2)),
        Source("article:modified_time", _raw_meta("article:modified_time")),
        Source("JSON-LD dateModified", _raw_jsonld("dateModified")),
        Source("2nd .m-pub-dates__date text (Paris time)", _visible_date_text(2)),
    ],
    "image_url": [
        Source("main figure img@src", _figure_image),
        Source("og:image", _meta("og:image")),
        Source("JSON-LD image", _jsonld_image),
    ],
    "image_caption": [Source("main figure figcaption span 1", _figcaption_span(1))],
    "image_credit": [Source("main figure figcaption span 2", _figcaption_span(2))],
    "body_html": [Source(f"div.{BODY_CLASS} (raw)", _body)],
    "word_count": [Source("JSON-LD wordCount", _word_count)],
}  # fmt: skip


@dataclass
class Extraction:
    """An article's item and what the page claimed that was not believed."""

    item: ArticleItem
    canonical_ignored: bool = False


def extract_page(page: Page | Selector | str | bytes, page_url: str, crawled_at: str) -> Extraction:
    """Every field of an article page; dates as candidates, body as raw HTML."""
    page = Page.of(page)
    item = ArticleItem()
    url, ignored = canonical_url(page, page_url)
    item["id"] = share_code(page) or fallback_id(url)
    item["url"] = url
    for field, sources in FIELD_RULES.items():
        if field in CANDIDATE_FIELDS:
            item[field] = [value for source in sources if (value := source.read(page))]
        else:
            item[field] = first_value(page, sources, empty_value(field))
    item["crawled_at"] = crawled_at
    item["schema_version"] = SCHEMA_VERSION
    item["media"] = media_entries(page, page_url)
    return Extraction(complete(item), ignored)


def extract_body(body: bytes, declared: str | None, page_url: str, crawled_at: str) -> Extraction:
    """``extract_page`` of a response body, read as UTF-8 without decoding it in Python.

    lexbor reads the bytes as UTF-8 and writes U+FFFD for what is not. When a value
    we extracted holds a U+FFFD that the bytes do not spell, the page was not
    UTF-8 where it matters: it is decoded as ``rfi_cn.normalise.encoding.page_text``
    says (the declared charset, then GB18030) and read again.
    """
    extraction = extract_page(body, page_url, crawled_at)
    if _holds_replacement(extraction.item.values()) and _REPLACEMENT_BYTES not in body:
        extraction = extract_page(page_text(body, declared)[0], page_url, crawled_at)
    return extraction


def _holds_replacement(values: Any) -> bool:
    for value in values:
        if isinstance(value, str):
            if _REPLACEMENT in value:
                return True
        elif isinstance(value, list | dict) and _holds_replacement(
            value.values() if isinstance(value, dict) else value
        ):
            return True
    return False


def extract_article(page: Page | Selector | str | bytes, page_url: str, crawled_at: str) -> ArticleItem:
    """``extract_page``'s item."""
    return extract_page(page, page_url, crawled_at).item


def first_value(page: Page, sources: Sequence[Source], empty: Any) -> Any:
    """The first non-empty value of ``sources`` on ``page``, else ``empty``."""
    for source in sources:
        value = source.read(page)
        if value:
            return value
    return empty


def complete(item: ArticleItem) -> ArticleItem:
    """Fill every absent field with ``None`` or ``[]``: the contract has them all."""
    for field in ArticleItem.fields:
        if field not in item:
            item[field] = empty_value(field)
    return item


def canonical_url(page: Page, page_url: str) -> tuple[str, bool]:
    """The page's canonical URL when it is an article URL of this edition on the site's host,
    else ``page_url``; and whether a canonical was there and refused."""
    href = page.link("canonical")
    if not href or not href.strip():
        return page_url, False
    url = link_url(href, page_url)
    if url is None or not is_article_url(url):
        return page_url, True
    return url, False


# The share block: its leaf items, else any share wrapper, else any rfi.my link of the
# article container outside its body (the share bar with its wrappers renamed).
SHARE_LINKS = (".m-share-bar__item a[href]", ".m-share-bar a[href]", "[class*=share] a[href]", 'a[href*="rfi.my"]')


def share_code(page: Page | Selector | str) -> str | None:
    """RFI's short code (``https://rfi.my/CEAH.F`` → ``CEAH``) from the article's own share
    block, else from the head's self-references (metas, links); never from the body."""
    page = Page.of(page)
    for query in SHARE_LINKS if page.article is not None else SHARE_LINKS[:-1]:
        for link in page.outside(query, [BODY, *CHROME], page.article):
            match = _SHARE_CODE.search(link.attributes.get("href") or "")
            if match:
                return match.group(1)
    head = page.tree.head
    if head is not None:
        for node in head.css("meta[content], link[href]"):
            match = _SHARE_CODE.search(node.attributes.get("content") or node.attributes.get("href") or "")
            if match:
                return match.group(1)
    return None


def fallback_id(url: str) -> str:
    """The first 16 hex digits of sha256 of ``url``."""
    return hashlib.sha256(url.encode("utf-8")).hexdigest()[:16]


__all__ = ["FIELD_RULES", "LIST_FIELDS", "Extraction", "extract_article", "extract_page", "share_code"]
