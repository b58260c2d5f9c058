"""An article page's fields, by XPath, from a ``parsel.Selector``.

Plain text fields are declared once in ``TEXT_XPATHS`` and loaded through an
``ItemLoader``; fields that need a rule (the share code, the date candidates,
JSON-LD) have a small function each. Dates stay raw candidates here, in order
of preference; ``NormaliseDatesPipeline`` picks and converts them. The body
stays raw HTML; ``CleanBodyPipeline`` cleans it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urljoin

from itemloaders import ItemLoader
from itemloaders.processors import Identity, MapCompose, TakeFirst
from parsel import Selector

from rfi_cn.extract.jsonld import jsonld_objects
from rfi_cn.extract.media import media_entries
from rfi_cn.items import SCHEMA_VERSION, ArticleItem

# The plain contains() first: it rejects most elements at a third of the cost of the exact test.
_CLASS = "contains(@class, '{0}') and contains(concat(' ', normalize-space(@class), ' '), ' {0} ')"
_CLASS_ATTRIBUTE = _CLASS.replace("@class", ".")  # the same test, on a class attribute node


def _has_class(name: str) -> str:
    return _CLASS.format(name)


def _with_class(name: str) -> str:
    """Every element whose class list holds ``name``, found by its class attribute: 2x faster than ``//*[...]``."""
    return f"//@class[{_CLASS_ATTRIBUTE.format(name)}]/.."


TEXT_XPATHS = {
    "url_zh_hant": '//link[@rel="alternate"][@hreflang="zh-Hant"]/@href',
    "language": "/html/@lang",
    "title": f"normalize-space(//h1[{_has_class('t-content__title')}])",
    "lead": f"normalize-space(//p[{_has_class('t-content__chapo')}])",
    "kicker": f"normalize-space({_with_class('t-content__section')}//*[{_has_class('a-tag__wrapper')}])",
    "section": (
        f"normalize-space((//nav[{_has_class('m-breadcrumb')}]//li[position() > 1]"
        f"//a[{_has_class('m-breadcrumb__list__item__link')}])[last()])"
    ),
    "image_url": f"{_with_class('t-content__main-media')}//figure//img/@src",
    "image_caption": f"normalize-space({_with_class('t-content__main-media')}//figcaption/span[1])",
    "image_credit": f"normalize-space({_with_class('t-content__main-media')}//figcaption/span[2])",
}
FALLBACK_XPATHS = {
    "section": '//meta[@property="article:section"]/@content',
    "title": '//meta[@property="og:title"]/@content',
}
CANONICAL_XPATH = '//link[@rel="canonical"]/@href'
AUTHORS_XPATH = f"{_with_class('t-content__authors')}//a[{_has_class('m-from-author__name')}]"
TAGS_XPATH = f"{_with_class('t-content__tags')}//a[{_has_class('a-hot-tag')}]"
PUB_DATES_XPATH = f"{_with_class('t-content__dates')}//*[{_has_class('m-pub-dates__date')}]"
BODY_XPATH = f"//div[{_has_class('t-content__body')}]"
SHARE_LINKS_XPATH = '//a[contains(@href, "rfi.my")]/@href'
META_DATE_XPATH = '//meta[@property="article:{}_time"]/@content'

# https://rfi.my/CEAH.F, also percent-encoded inside share-dialog URLs.
_SHARE_CODE = re.compile(r"rfi\.my(?:/|%2F)([A-Za-z0-9]+)\.[A-Z]{1,2}\b")
_SPACES = re.compile(r"[\s\u00a0\u3000]+")


def _squeeze(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


class ArticleLoader(ItemLoader):
    """Strips and squeezes text; one value per field unless the field is a list."""

    default_item_class = ArticleItem
    default_input_processor = MapCompose(_squeeze)
    default_output_processor = TakeFirst()
    authors_out = Identity()
    tags_out = Identity()
    published_at_in = Identity()
    published_at_out = Identity()
    modified_at_in = Identity()
    modified_at_out = Identity()
    body_html_in = Identity()
    word_count_in = Identity()
    schema_version_in = Identity()

    # itemloaders looks a field's processor up (through an ItemAdapter) for every value it
    # loads; the processors are fixed per class and field, so look each up once.
    def get_input_processor(self, field_name: str) -> Callable[..., Any]:
        key = (type(self), field_name, "in")
        if key not in _PROCESSORS:
            _PROCESSORS[key] = super().get_input_processor(field_name)
        return _PROCESSORS[key]

    def get_output_processor(self, field_name: str) -> Callable[..., Any]:
        key = (type(self), field_name, "out")
        if key not in _PROCESSORS:
            _PROCESSORS[key] = super().get_output_processor(field_name)
        return _PROCESSORS[key]


_PROCESSORS: dict[tuple[type, str, str], Callable[..., Any]] = {}


def extract_article(selector: Selector, page_url: str, crawled_at: str) -> ArticleItem:
    """Every field of an article page; dates as candidates, body as raw HTML."""
    loader = ArticleLoader(selector=selector)
    url = canonical_url(selector, page_url)
    loader.add_value("id", share_code(selector) or fallback_id(url))
    loader.add_value("url", url)
    for field, xpath in TEXT_XPATHS.items():
        loader.add_xpath(field, xpath)
        if field in FALLBACK_XPATHS:
            loader.add_xpath(field, FALLBACK_XPATHS[field])
    loader.add_value("authors", _texts(selector, AUTHORS_XPATH))
    loader.add_value("tags", _texts(selector, TAGS_XPATH))
    jsonld = news_article_jsonld(selector)
    loader.add_value("published_at", published_candidates(selector, jsonld))
    loader.add_value("modified_at", modified_candidates(selector, jsonld))
    loader.add_value("body_html", selector.xpath(BODY_XPATH).get())
    loader.add_value("word_count", word_count(jsonld))
    loader.add_value("crawled_at", crawled_at)
    loader.add_value("schema_version", SCHEMA_VERSION)
    item = loader.load_item()
    item["media"] = media_entries(selector, page_url)
    return complete(item)


def complete(item: ArticleItem) -> ArticleItem:
    """Fill every absent field with ``None`` or ``[]``: the contract has them all."""
    for field in ArticleItem.fields:
        item.setdefault(field, [] if field in ("authors", "tags", "published_at", "modified_at", "media") else None)
    return item


def canonical_url(selector: Selector, page_url: str) -> str:
    """The page's canonical URL as it spells it, else the real-site URL of the page."""
    href = selector.xpath(CANONICAL_XPATH).get()
    if href and href.strip():
        return urljoin(page_url, href.strip())
    return page_url


def share_code(selector: Selector) -> str | None:
    """RFI's short code from the share links (``https://rfi.my/CEAH.F`` → ``CEAH``)."""
    for href in selector.xpath(SHARE_LINKS_XPATH).getall():
        match = _SHARE_CODE.search(href)
        if match:
            return match.group(1)
    return None


def fallback_id(url: str) -> str:
    """The first 16 hex digits of sha256 of ``url``."""
    return hashlib.sha256(url.encode("utf-8")).hexdigest()[:16]


def published_candidates(selector: Selector, jsonld: dict[str, Any]) -> list[str]:
    """Publication date strings, most trusted first."""
    return _date_candidates(selector, jsonld, position=1, meta="published", key="datePublished")


def modified_candidates(selector: Selector, jsonld: dict[str, Any]) -> list[str]:
    """Update date strings (the second visible date is the update), most trusted first."""
    return _date_candidates(selector, jsonld, position=2, meta="modified", key="dateModified")


def _date_candidates(selector: Selector, jsonld: dict[str, Any], position: int, meta: str, key: str) -> list[str]:
    visible = selector.xpath(f"({PUB_DATES_XPATH})[{position}]")
    candidates = [
        visible.xpath(".//time/@datetime").get(),
        selector.xpath(META_DATE_XPATH.format(meta)).get(),
        jsonld.get(key) if isinstance(jsonld.get(key), str) else None,
        visible.xpath("normalize-space(.//time)").get() or visible.xpath("normalize-space(.)").get(),
    ]
    return [candidate for candidate in candidates if candidate]


def news_article_jsonld(selector: Selector) -> dict[str, Any]:
    """The page's JSON-LD ``NewsArticle`` object; ``{}`` when missing or malformed."""
    for node in jsonld_objects(selector):
        if node.get("@type") in ("NewsArticle", "Article", "ReportageNewsArticle"):
            return node
    return {}


def word_count(jsonld: dict[str, Any]) -> int | None:
    """JSON-LD ``wordCount`` as an integer, when the page states one."""
    value = jsonld.get("wordCount")
    if isinstance(value, bool):
        return None
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _texts(selector: Selector, xpath: str) -> list[str]:
    texts = (_squeeze(node.xpath("string(.)").get() or "") for node in selector.xpath(xpath))
    return [text for text in texts if text]
