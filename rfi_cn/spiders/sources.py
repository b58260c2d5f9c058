"""Discovery sources beyond the sections, for the ``rfi_cn`` spider.

``-a discover=sections,rss,sitemaps,archives,tags,authors`` picks them (default
``sections``; ``sitemaps,archives`` when ``-a until=`` asks for a backfill).
Each source is a row of ``DiscoverySources.START``: how it starts and which
callback reads its pages. Parsing lives in ``rfi_cn.extract``; this mixin only
navigates, and hands every article URL to the spider's ``article_requests``,
which requests each article once and keeps ``since``/``until``.

- ``rss``: the feeds of ``RFI_RSS_PATHS`` (freshness).
- ``sitemaps``: ``RFI_SITEMAP_PATHS`` (the index → monthly files, the Google News
  sitemap); a child sitemap whose ``lastmod`` is older than ``since`` is skipped.
- ``archives``: the year pages ``/cn/档案资料库/<year>/`` of the range (or, without
  a range, the archive links of the front page), then every archive page they
  link to (months, days, pagination) whose path does not say it is out of range.
- ``tags`` / ``authors``: ``-a tags=台湾,日本`` / ``-a authors=左依`` exactly;
  otherwise the keyword / author pages linked from the front page and from the
  articles fetched in the run. Read like section pages (pagination, ``max_pages``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from typing import Any

import scrapy
from parsel import Selector
from scrapy.crawler import Crawler
from scrapy.http import Response, TextResponse, XmlResponse

from rfi_cn.extract.links import (
    AUTHOR_PREFIX,
    TAG_PREFIX,
    archive_links,
    article_links,
    author_links,
    named_page_url,
    tag_links,
)
from rfi_cn.extract.rss import rss_entries
from rfi_cn.extract.sitemaps import sitemap_body, sitemap_links
from rfi_cn.periods import ARCHIVE_PREFIX, DateRange, archive_period
from rfi_cn.site import (
    EDITION_PREFIX,
    FRONT_PAGE,
    SITE_ORIGIN,
    SITEMAP_PREFIX,
    article_date,
    link_url,
    path_of,
    site_path_url,
)
from rfi_cn.spiders.arguments import SOURCES

BACKFILL_SOURCES = ("sitemaps", "archives")


def parse_sources(text: str | None, backfill: bool) -> tuple[str, ...]:
    """The sources named by ``-a discover=``; the default depends on whether it is a backfill."""
    names = tuple(dict.fromkeys(name.strip() for name in (text or "").split(",") if name.strip()))
    unknown = [name for name in names if name not in SOURCES]
    if unknown:
        raise ValueError(f"unknown discovery source(s) {', '.join(unknown)}; choose from {', '.join(SOURCES)}")
    return names or (BACKFILL_SOURCES if backfill else ("sections",))


def split_names(text: str | None) -> list[str]:
    return [name.strip() for name in (text or "").split(",") if name.strip()]


class DiscoverySources:
    """Start requests and callbacks of every source but ``sections`` (a mixin for the spider)."""

    # Provided by the spider (rfi_cn.spiders.rfi_cn): its arguments and its navigation API.
    since: date | None
    sections: list[str]
    crawler: Crawler
    listing_pages: dict[str, set[str]]
    article_requests: Callable[[list[str]], Iterator[scrapy.Request]]
    listing_request: Callable[[str, str], scrapy.Request]
    next_pages: Callable[[Selector, str], list[str]]
    on_listing_error: Callable[..., Any]

    def __init__(
        self,
        *args: Any,
        discover: str | None = None,
        until: str | None = None,
        tags: str | None = None,
        authors: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.until = date.fromisoformat(until) if until else None
        self.discover = parse_sources(discover, backfill=self.until is not None)
        self.tags = split_names(tags)
        self.authors = split_names(authors)
        self.source_pages: set[str] = set()

    @property
    def dates(self) -> DateRange:
        return DateRange(self.since, self.until)

    # --- Start ------------------------------------------------------------
    def source_requests(self) -> Iterator[scrapy.Request]:
        """The first requests of every chosen source but ``sections``."""
        if self.since and self.until and self.since > self.until:
            raise ValueError(f"since {self.since} is after until {self.until}")
        starts: dict[str, Callable[[], Iterator[scrapy.Request]]] = {
            "rss": self._rss_starts,
            "sitemaps": self._sitemap_starts,
            "archives": self._archive_starts,
            "tags": lambda: self._named_starts(TAG_PREFIX, self.tags),
            "authors": lambda: self._named_starts(AUTHOR_PREFIX, self.authors),
        }
        for source in self.discover:
            if source in starts:
                yield from starts[source]()
        front_sections = "sections" in self.discover and not self.sections
        if self._front_page_links_wanted() and not front_sections:
            yield scrapy.Request(FRONT_PAGE, callback=self.parse_front_sources, errback=self.on_listing_error)

    def _rss_starts(self) -> Iterator[scrapy.Request]:
        yield from self._setting_starts("RFI_RSS_PATHS", EDITION_PREFIX, self.parse_rss)

    def _sitemap_starts(self) -> Iterator[scrapy.Request]:
        yield from self._setting_starts("RFI_SITEMAP_PATHS", SITEMAP_PREFIX, self.parse_sitemap)

    def _setting_starts(
        self, setting: str, prefix: str, callback: Callable[[Response], Iterator[Any]]
    ) -> Iterator[scrapy.Request]:
        """The paths of ``setting`` on the crawled origin; a path outside ``prefix`` is refused."""
        for path in self.crawler.settings.getlist(setting):
            url = link_url(path, f"{SITE_ORIGIN}/", prefix)
            if url is None:
                raise ValueError(f"{setting}: {path!r} is not a path under {prefix}")
            yield self._source_request(url, callback)

    def _archive_starts(self) -> Iterator[scrapy.Request]:
        if not self.dates.bounded:
            return  # the whole archive: its year pages are linked from the front page
        first_year = self.crawler.settings.getint("RFI_ARCHIVE_FIRST_YEAR")
        for year in self.dates.years(datetime.now(UTC).year, first_year):
            yield self._source_request(site_path_url(f"{ARCHIVE_PREFIX}{year}/"), self.parse_archive)

    def _named_starts(self, prefix: str, names: list[str]) -> Iterator[scrapy.Request]:
        for name in names:
            yield from self._named_listing(named_page_url(prefix, name))

    def _front_page_links_wanted(self) -> bool:
        wanted = {"tags": not self.tags, "authors": not self.authors, "archives": not self.dates.bounded}
        return any(wanted.get(source, False) for source in self.discover)

    # --- Pages that lead to sources ---------------------------------------
    def parse_front_sources(self, response: Response) -> Iterator[Any]:
        """The front page, read only for its keyword, author and archive links."""
        yield from self.front_page_sources(_selector(response), response.url)

    def front_page_sources(self, selector: Selector, page_url: str) -> Iterator[scrapy.Request]:
        """Keyword, author and archive pages linked from the front page, for the chosen sources."""
        yield from self._tag_and_author_pages(selector, page_url)
        if "archives" in self.discover:
            yield from self._archive_pages(archive_links(selector, page_url))

    def article_page_sources(self, response: Response) -> Iterator[scrapy.Request]:
        """Keyword and author pages an article links to, when those sources discover their pages."""
        if ("tags" in self.discover and not self.tags) or ("authors" in self.discover and not self.authors):
            yield from self._tag_and_author_pages(_selector(response), response.url)

    def _tag_and_author_pages(self, selector: Selector, page_url: str) -> Iterator[scrapy.Request]:
        if "tags" in self.discover and not self.tags:
            for url in tag_links(selector, page_url):
                yield from self._named_listing(url)
        if "authors" in self.discover and not self.authors:
            for url in author_links(selector, page_url):
                yield from self._named_listing(url)

    def _named_listing(self, url: str) -> Iterator[scrapy.Request]:
        """A keyword or author page, once, read like a section (its pagination, ``max_pages``)."""
        key = path_of(url)
        if key not in self.listing_pages:
            yield self.listing_request(url, key)

    # --- Callbacks ----------------------------------------------------------
    def parse_rss(self, response: Response) -> Iterator[Any]:
        """An RSS 2.0 feed: its articles within the range (the URL's day, else ``pubDate``)."""
        entries = rss_entries(response.body, response.url)
        kept = [entry.url for entry in entries if self.dates.contains(article_date(entry.url) or entry.published)]
        self._count("rfi_cn/rss/skipped_by_range", len(entries) - len(kept))
        yield from self.article_requests(kept)

    def parse_sitemap(self, response: Response) -> Iterator[Any]:
        """A sitemap index (→ child sitemaps) or urlset (→ articles), pruned by the range."""
        max_size = self.crawler.settings.getint("DOWNLOAD_MAXSIZE")
        body = sitemap_body(response.body, response.url, isinstance(response, XmlResponse), max_size)
        if not body:
            self.crawler.stats.inc_value("rfi_cn/sitemaps/invalid")
            self.logger.warning("Ignoring invalid sitemap: %s", response.url)  # type: ignore[attr-defined]
            return
        links = sitemap_links(body, response.url, self.dates)
        self._count("rfi_cn/sitemaps/skipped_by_range", links.skipped)
        for url in links.sitemaps:
            if url not in self.source_pages:
                yield self._source_request(url, self.parse_sitemap)
        yield from self.article_requests(links.articles)

    def parse_archive(self, response: Response) -> Iterator[Any]:
        """An archive page: its articles, its pagination, and the archive pages it links to."""
        selector = _selector(response)
        yield from self.article_requests(article_links(selector, response.url))
        pages = archive_links(selector, response.url) + self.next_pages(selector, response.url)
        yield from self._archive_pages(pages)

    def _archive_pages(self, urls: list[str]) -> Iterator[scrapy.Request]:
        for url in urls:
            period = archive_period(url)
            if period is not None and not self.dates.overlaps(*period):
                self.crawler.stats.inc_value("rfi_cn/archives/skipped_by_range")
            elif url not in self.source_pages:
                yield self._source_request(url, self.parse_archive)

    def _source_request(self, url: str, callback: Callable[[Response], Iterator[Any]]) -> scrapy.Request:
        self.source_pages.add(url)
        return scrapy.Request(url, callback=callback, errback=self.on_listing_error)

    def _count(self, key: str, count: int) -> None:
        if count:
            self.crawler.stats.inc_value(key, count)


def _selector(response: Response) -> Selector:
    """A local selector (not cached on the response; see ``page_selector``)."""
    return Selector(text=response.text if isinstance(response, TextResponse) else "", type="html")
