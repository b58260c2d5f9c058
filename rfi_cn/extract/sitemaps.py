"""Sitemaps: the index, its monthly files and Google News sitemaps.

Parsing is Scrapy's own (``scrapy.utils.sitemap.Sitemap``, as ``SitemapSpider``
uses it, gzip handled the same way); ``NewsSitemap`` only keeps the nested
``news:publication_date`` that the plain parser flattens away. Child sitemaps
must stay under ``/sitemaps/cn/``; listed pages must be /cn/ articles.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import islice
from typing import Any, NamedTuple

import lxml.etree
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap

from rfi_cn.periods import DateRange, day_of
from rfi_cn.site import SITEMAP_PREFIX, article_date, is_article_url, link_url

GZIP_MAGIC = b"\x1f\x8b\x08"
PUBLICATION_DATE_XPATH = "string(.//*[local-name()='news']/*[local-name()='publication_date'])"


class NewsSitemap(Sitemap):
    """A ``Sitemap`` that also reports Google News ``publication_date``."""

    __slots__ = ()

    def _process_sitemap_element(self, elem: lxml.etree._Element) -> dict[str, Any] | None:
        published = elem.xpath(PUBLICATION_DATE_XPATH).strip()  # read before the parent clears it
        entry: dict[str, Any] | None = super()._process_sitemap_element(elem)
        if entry is not None and published:
            entry["publication_date"] = published
        return entry


class FeedEntry(NamedTuple):
    """One article of a change feed (a news sitemap): its URL, ``lastmod`` and publication date, as written."""

    url: str
    lastmod: str | None
    published: str | None


class SitemapLinks(NamedTuple):
    sitemaps: list[str]  # child sitemaps to read (from an index)
    articles: list[str]  # article pages to fetch (from a urlset)
    skipped: int  # entries left out by the date range


def sitemap_body(body: bytes, url: str, is_xml: bool, max_size: int) -> bytes | None:
    """The XML of a sitemap response, as ``SitemapSpider._get_sitemap_body`` finds it."""
    if is_xml:
        return body
    if body[:3] == GZIP_MAGIC:
        try:
            return gunzip(body, max_size=max_size)
        except (ValueError, OSError, EOFError):  # too large once inflated, or corrupt
            return None
    return body if url.endswith((".xml", ".xml.gz")) else None


def sitemap_links(body: bytes, page_url: str, dates: DateRange) -> SitemapLinks:
    """What a sitemap leads to: child sitemaps (index) or articles (urlset), within ``dates``."""
    sitemap = NewsSitemap(body)
    entries = list(sitemap)
    if sitemap.type == "sitemapindex":
        children = [(link_url(e["loc"], page_url, SITEMAP_PREFIX), e) for e in entries]
        kept = [url for url, e in children if url and dates.modified_since(day_of(e.get("lastmod")))]
        skipped = sum(1 for url, e in children if url and url not in kept)
        return SitemapLinks(list(dict.fromkeys(kept)), [], skipped)
    if sitemap.type != "urlset":
        return SitemapLinks([], [], 0)
    articles, skipped = _urlset_articles(entries, page_url, dates)
    return SitemapLinks([], list(articles), skipped)


def _urlset_articles(
    entries: Iterable[dict[str, Any]], page_url: str, dates: DateRange
) -> tuple[dict[str, dict[str, Any]], int]:
    """The distinct article URLs of a urlset's ``entries`` within ``dates``, each with its first
    entry, in document order; and how many entries the range left out."""
    articles: dict[str, dict[str, Any]] = {}
    skipped = 0
    for entry in entries:
        url = link_url(entry.get("loc", ""), page_url)
        if url is None or not is_article_url(url) or url in articles:
            continue
        if entry_in_range(url, entry, dates):
            articles[url] = entry
        else:
            skipped += 1
    return articles, skipped


def entry_in_range(url: str, entry: dict[str, Any], dates: DateRange) -> bool:
    """The URL's day decides; else the news publication day; else ``lastmod`` against ``since``."""
    day = article_date(url) or day_of(entry.get("publication_date"))
    if day is not None:
        return dates.contains(day)
    return dates.modified_since(day_of(entry.get("lastmod")))


def feed_entries(body: bytes, page_url: str, dates: DateRange, limit: int) -> list[FeedEntry] | None:
    """The distinct article entries of a urlset (a news sitemap) within ``dates``, in document
    order, with their ``lastmod`` and ``news:publication_date``. ``None`` when the document is no
    urlset (an index, HTML, garbage) or lists more than ``limit`` URLs (a news sitemap holds at
    most 1,000): such a feed is not trusted at all."""
    try:
        sitemap = NewsSitemap(body)
        if sitemap.type != "urlset":
            return None
        listed = list(islice(sitemap, limit + 1))
    except (lxml.etree.XMLSyntaxError, StopIteration):  # empty or not XML at all
        return None
    if len(listed) > limit:
        return None
    articles, _ = _urlset_articles(listed, page_url, dates)
    return [
        FeedEntry(url, str(entry.get("lastmod") or "").strip() or None, entry.get("publication_date") or None)
        for url, entry in articles.items()
    ]
